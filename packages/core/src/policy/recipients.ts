/** Who an app message goes to: WeCom's touser / toparty / totag, each '|'-separated. */
export interface AppRecipients {
  toUser?: string;
  toParty?: string;
  toTag?: string;
}

/**
 * An app destination's recipients: its own when it names any, else WEIXIN_TO_USER / _PARTY /
 * _TAG. Never a mix: a destination that names a department does not also reach the default users.
 */
export function appRecipients(defaults: AppRecipients, own: AppRecipients): AppRecipients {
  const named = own.toUser || own.toParty || own.toTag;
  const from = named ? own : defaults;
  return { toUser: from.toUser || undefined, toParty: from.toParty || undefined, toTag: from.toTag || undefined };
}
