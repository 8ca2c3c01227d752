import { MARK, stripMarks } from './markers';

/** A rendered card, with what the byte-budget ladder may shorten or drop kept apart. */
export interface Sheet {
  /** The first line, repeated on every part; the part number goes where {% part %} was. */
  header(part?: string): string;
  /** What follows the header (starting with its line break) up to the body; and after it. */
  before(lean: boolean): string;
  body: string;
  after(lean: boolean): string;
}

/** Without the lines marked {% low %} when lean; without any mark. */
function lines(text: string, lean: boolean): string {
  return stripMarks(lean ? text.split('\n').filter((line) => !line.includes(MARK.low)).join('\n') : text);
}

/**
 * Reads a template's output back: the first line is the header, the text between {% body %}
 * and {% endbody %} is the body. A body that starts on the header's line is not one (a
 * one-line card has nothing to shorten but its whole).
 */
export function readSheet(output: string): Sheet {
  const lineEnd = output.indexOf('\n');
  const firstLine = lineEnd < 0 ? output : output.slice(0, lineEnd);
  const rest = lineEnd < 0 ? '' : output.slice(lineEnd);
  const start = rest.indexOf(MARK.bodyStart);
  const end = start < 0 ? -1 : rest.indexOf(MARK.bodyEnd, start);
  const [before, body, after] = end < 0 ? [rest, '', ''] : [rest.slice(0, start), rest.slice(start + 1, end), rest.slice(end + 1)];
  const partAt = firstLine.indexOf(MARK.part);
  const head = stripMarks(partAt < 0 ? firstLine : firstLine.slice(0, partAt));
  const tail = partAt < 0 ? '' : stripMarks(firstLine.slice(partAt + 1));
  return {
    header: (part) => (part ? `${head} ${part}${tail}` : `${head}${tail}`),
    before: (lean) => lines(before, lean),
    body: stripMarks(body),
    after: (lean) => lines(after, lean),
  };
}
