import type { Problem } from './fake-wecom-common';

/**
 * WeCom's rules for a `template_card` (reference/wecom-callbacks.md §3), for the two card types
 * the fake models: button_interaction (buttons that call back) and text_notice. Hard limits —
 * "最长…字节", list sizes, required fields — are errors; WeCom's advised lengths in characters
 * ("建议不超过") are not (WeCom cuts the text), so they come back as warnings.
 *
 * Errcodes: WeCom's global list (90313) names 42014 (task_id 不合法), 42018 (按钮key值不合法),
 * 42019 (缺少按钮key值), 42020 (缺少按钮名称), 40063 (参数为空) and 40058 (不合法的参数). Which of
 * them WeCom answers for each template_card field is not documented: the fake uses the one whose
 * words fit (the reference says the same, ✖). The errmsg names the field.
 */
export type CardCheck = { problem: Problem } | { cardType: string; taskId?: string; warnings: string[]; callback: boolean };

class Refused extends Error {
  constructor(readonly problem: Problem) {
    super(problem[1]);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const chars = (s: string) => [...s].length;

/** The card types WeCom has; the fake models two of them. */
const MODELLED = ['button_interaction', 'text_notice'];
const OTHERS = ['news_notice', 'vote_interaction', 'multiple_interaction'];

function refuse(errcode: number, errmsg: string): never {
  throw new Refused([errcode, errmsg]);
}

class Rules {
  readonly warnings: string[] = [];

  /** An optional string; a wrong type is an invalid parameter. */
  str(o: Obj, field: string, path: string, advise?: number): string | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') refuse(40058, `${path} must be a string. invalid Request Parameter`);
    if (advise !== undefined && chars(v) > advise) this.warnings.push(`${path} is ${chars(v)} characters; WeCom advises at most ${advise} (it cuts the rest)`);
    return v;
  }

  required(o: Obj, field: string, path: string, advise?: number, errcode = 40063): string {
    const v = this.str(o, field, path, advise);
    if (!v) refuse(errcode, `${path} is required (missing parameter)`);
    return v;
  }

  int(o: Obj, field: string, path: string, allowed: number[]): number | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !allowed.includes(v)) refuse(40058, `${path} must be one of ${allowed.join(', ')}. invalid Request Parameter`);
    return v;
  }

  obj(o: Obj, field: string, path: string): Obj | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) refuse(40058, `${path} must be an object. invalid Request Parameter`);
    return v;
  }

  list(o: Obj, field: string, path: string, max: number, min = 0): Obj[] | undefined {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every(isObj)) refuse(40058, `${path} must be a list of objects. invalid Request Parameter`);
    if (v.length > max) refuse(40058, `${path} has ${v.length} items, at most ${max}. invalid Request Parameter`);
    if (v.length < min) refuse(40063, `${path} needs at least ${min} item${min > 1 ? 's' : ''} (missing parameter)`);
    return v;
  }

  /** A key that comes back in a callback: at most 1024 bytes, unique in its list. */
  key(value: string, path: string, seen: Set<string>) {
    if (bytes(value) > 1024) refuse(42018, `${path} is ${bytes(value)} bytes, at most 1024 (invalid button key)`);
    if (seen.has(value)) refuse(42018, `${path} "${value.slice(0, 40)}" is used twice; keys must be unique (invalid button key)`);
    seen.add(value);
  }

  /** A jump: type 1 needs url, type 2 needs appid. */
  jump(o: Obj, path: string, types: number[]) {
    const type = this.int(o, 'type', `${path}.type`, types);
    const url = this.str(o, 'url', `${path}.url`);
    const appid = this.str(o, 'appid', `${path}.appid`);
    this.str(o, 'pagepath', `${path}.pagepath`);
    if (type === 1 && !url) refuse(40063, `${path}.url is required when ${path}.type is 1 (missing parameter)`);
    if (type === 2 && !appid) refuse(40063, `${path}.appid is required when ${path}.type is 2 (missing parameter)`);
    return type;
  }
}

/** task_id: "同一个应用任务id不能重复，只能由数字、字母和“_-@”组成，最长128字节". Uniqueness is the card book's. */
function checkTaskId(taskId: string) {
  if (!/^[A-Za-z0-9_\-@]+$/.test(taskId)) refuse(42014, `task_id "${taskId.slice(0, 40)}" may hold only letters, digits and _-@ (invalid task_id)`);
  if (bytes(taskId) > 128) refuse(42014, `task_id is ${bytes(taskId)} bytes, at most 128 (invalid task_id)`);
}

function commonFields(r: Rules, card: Obj, cardType: string): { hasMenu: boolean; title?: string; sub?: string } {
  const source = r.obj(card, 'source', 'source');
  if (source) {
    r.str(source, 'icon_url', 'source.icon_url');
    r.str(source, 'desc', 'source.desc', 20);
    r.int(source, 'desc_color', 'source.desc_color', [0, 1, 2, 3]);
  }
  const menu = r.obj(card, 'action_menu', 'action_menu');
  if (menu) {
    r.str(menu, 'desc', 'action_menu.desc');
    const actions = r.list(menu, 'action_list', 'action_menu.action_list', 3, 1) ?? refuse(40063, 'action_menu.action_list is required (missing parameter)');
    const keys = new Set<string>();
    actions.forEach((a, i) => {
      r.required(a, 'text', `action_menu.action_list[${i}].text`);
      r.key(r.required(a, 'key', `action_menu.action_list[${i}].key`, undefined, 42019), `action_menu.action_list[${i}].key`, keys);
    });
  }
  const main = r.obj(card, 'main_title', 'main_title');
  const title = main && r.str(main, 'title', 'main_title.title', 36);
  if (main) r.str(main, 'desc', 'main_title.desc', 44);
  const quote = r.obj(card, 'quote_area', 'quote_area');
  if (quote) {
    r.jump(quote, 'quote_area', [0, 1, 2]);
    r.str(quote, 'title', 'quote_area.title');
    r.str(quote, 'quote_text', 'quote_area.quote_text');
  }
  const sub = r.str(card, 'sub_title_text', 'sub_title_text', 160);
  (r.list(card, 'horizontal_content_list', 'horizontal_content_list', 6) ?? []).forEach((line, i) => {
    const path = `horizontal_content_list[${i}]`;
    r.required(line, 'keyname', `${path}.keyname`, 5);
    r.str(line, 'value', `${path}.value`, 30);
    const type = r.int(line, 'type', `${path}.type`, [0, 1, 2, 3]);
    const needs: Record<number, string> = { 1: 'url', 2: 'media_id', 3: 'userid' };
    for (const field of ['url', 'media_id', 'userid']) r.str(line, field, `${path}.${field}`);
    if (type && !line[needs[type]]) refuse(40063, `${path}.${needs[type]} is required when ${path}.type is ${type} (missing parameter)`);
  });
  const action = r.obj(card, 'card_action', 'card_action');
  if (action) r.jump(action, 'card_action', cardType === 'text_notice' ? [1, 2] : [0, 1, 2]);
  else if (cardType === 'text_notice') refuse(40063, 'card_action is required for a text_notice card (missing parameter)');
  return { hasMenu: Boolean(menu), title, sub };
}

function buttonFields(r: Rules, card: Obj) {
  const selection = r.obj(card, 'button_selection', 'button_selection');
  if (selection) {
    r.key(r.required(selection, 'question_key', 'button_selection.question_key'), 'button_selection.question_key', new Set());
    r.str(selection, 'title', 'button_selection.title');
    const ids = new Set<string>();
    const options = r.list(selection, 'option_list', 'button_selection.option_list', 10, 1) ?? refuse(40063, 'button_selection.option_list is required (missing parameter)');
    options.forEach((o, i) => {
      const id = r.required(o, 'id', `button_selection.option_list[${i}].id`);
      if (bytes(id) > 128 || ids.has(id)) refuse(40058, `button_selection.option_list[${i}].id must be unique and at most 128 bytes. invalid Request Parameter`);
      ids.add(id);
      r.required(o, 'text', `button_selection.option_list[${i}].text`);
    });
    r.str(selection, 'selected_id', 'button_selection.selected_id');
  }
  const buttons = r.list(card, 'button_list', 'button_list', 6, 1) ?? refuse(40063, 'button_list is required for a button_interaction card (missing parameter)');
  const keys = new Set<string>();
  buttons.forEach((b, i) => {
    const path = `button_list[${i}]`;
    r.required(b, 'text', `${path}.text`, 10, 42020);
    r.int(b, 'style', `${path}.style`, [1, 2, 3, 4]);
    const type = r.int(b, 'type', `${path}.type`, [0, 1]) ?? 0;
    const url = r.str(b, 'url', `${path}.url`);
    if (type === 1 && !url) refuse(40063, `${path}.url is required when ${path}.type is 1 (missing parameter)`);
    const key = r.str(b, 'key', `${path}.key`);
    if (type === 0 && !key) refuse(42019, `${path}.key is required for a button that calls back (missing button key)`);
    if (key) r.key(key, `${path}.key`, keys);
  });
  r.str(card, 'replace_text', 'replace_text');
}

function textNoticeFields(r: Rules, card: Obj) {
  const emphasis = r.obj(card, 'emphasis_content', 'emphasis_content');
  if (emphasis) {
    r.str(emphasis, 'title', 'emphasis_content.title', 14);
    r.str(emphasis, 'desc', 'emphasis_content.desc', 22);
  }
  (r.list(card, 'jump_list', 'jump_list', 3) ?? []).forEach((j, i) => {
    r.jump(j, `jump_list[${i}]`, [0, 1, 2]);
    r.required(j, 'title', `jump_list[${i}].title`, 18);
  });
}

/**
 * Checks a template_card. `update`: the card of message/update_template_card, whose task comes
 * from the response_code (so task_id may be left out there).
 */
export function checkCard(input: unknown, mode: 'send' | 'update' = 'send'): CardCheck {
  const r = new Rules();
  try {
    if (!isObj(input)) refuse(40063, 'template_card is required (missing parameter)');
    const cardType = r.required(input, 'card_type', 'template_card.card_type');
    if (OTHERS.includes(cardType)) refuse(40058, `card_type ${cardType} is a WeCom card the fake does not model (it models ${MODELLED.join(', ')})`);
    if (!MODELLED.includes(cardType)) refuse(40058, `card_type "${cardType.slice(0, 40)}" is not a card type. invalid Request Parameter`);
    const { hasMenu, title, sub } = commonFields(r, input, cardType);
    if (cardType === 'button_interaction') {
      if (!title) refuse(40063, 'main_title.title is required for a button_interaction card (missing parameter)');
      buttonFields(r, input);
    } else {
      if (!title && !sub) refuse(40063, 'a text_notice card needs main_title.title or sub_title_text (missing parameter)');
      textNoticeFields(r, input);
    }
    const taskId = r.str(input, 'task_id', 'task_id');
    if (taskId !== undefined) checkTaskId(taskId);
    const needsTask = cardType === 'button_interaction' || hasMenu;
    if (needsTask && !taskId && mode === 'send') refuse(42014, `task_id is required for ${hasMenu && cardType !== 'button_interaction' ? 'a card with action_menu' : `a ${cardType} card`} (invalid task_id)`);
    // Cards whose clicks call back (buttons, the top-right menu) need the app's callback (43012).
    return { cardType, taskId, warnings: r.warnings, callback: needsTask };
  } catch (e) {
    if (e instanceof Refused) return { problem: e.problem };
    throw e;
  }
}

/** The callback keys a member can press on a card (buttons of type 0), none once greyed. */
export function pressableKeys(card: Obj, greyed?: string): string[] {
  if (greyed || card.replace_text) return [];
  const buttons = Array.isArray(card.button_list) ? (card.button_list as Obj[]) : [];
  return buttons.filter((b) => (b.type ?? 0) === 0 && typeof b.key === 'string').map((b) => b.key as string);
}

const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * A card as a person reads it: source, title, description, quote, sub title, each horizontal line
 * "key: value", the link, then the buttons "[认领] [静默 1 小时] …" (or the greyed one, when a
 * replace_name or replace_text took their place).
 */
export function renderCard(card: Obj, greyed?: string): string {
  const o = (v: unknown) => (isObj(v) ? v : {});
  const lines: Array<string | undefined> = [];
  const source = o(card.source);
  if (s(source.desc)) lines.push(`【${source.desc}】`);
  lines.push(s(o(card.main_title).title), s(o(card.main_title).desc));
  const emphasis = o(card.emphasis_content);
  if (s(emphasis.title) || s(emphasis.desc)) lines.push([s(emphasis.title), s(emphasis.desc)].filter(Boolean).join(' '));
  const quote = o(card.quote_area);
  if (s(quote.title) || s(quote.quote_text)) lines.push(`> ${[s(quote.title), s(quote.quote_text)].filter(Boolean).join(': ')}`);
  lines.push(s(card.sub_title_text));
  for (const line of Array.isArray(card.horizontal_content_list) ? (card.horizontal_content_list as Obj[]) : []) lines.push(`${line.keyname}: ${line.value ?? ''}`);
  for (const jump of Array.isArray(card.jump_list) ? (card.jump_list as Obj[]) : []) lines.push(`→ ${jump.title}${s(jump.url) ? ` ${jump.url}` : ''}`);
  const action = o(card.card_action);
  if (s(action.url)) lines.push(`→ ${action.url}`);
  const grey = greyed ?? s(card.replace_text);
  const buttons = Array.isArray(card.button_list) ? (card.button_list as Obj[]) : [];
  if (grey) lines.push(`[${grey}] (greyed out)`);
  else if (buttons.length) lines.push(buttons.map((b) => `[${b.text}]`).join(' '));
  return lines.filter((l) => l !== undefined && l !== '').join('\n');
}
