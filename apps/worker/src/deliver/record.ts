import type { DeliveryJobData, HistoryWriter, Links, MessageRecord } from '@ng/core';

/** The console page a message links to: the alert's own page, or the list behind a digest or storm summary. */
export function pageOf(data: DeliveryJobData): Parameters<Links['to']>[0] | undefined {
  const { message } = data;
  if (message.kind === 'alert') return { kind: 'alert', id: message.alert.idempotencyKey };
  if (message.kind === 'card-update') return { kind: 'alert', id: message.alertId };
  return message.listId ? { kind: 'list', id: message.listId } : undefined;
}

/** Every attempt of every message goes into the history: on its alert, or on its list. */
export async function recordMessage(history: HistoryWriter, data: DeliveryJobData, jobId: string, record: MessageRecord): Promise<void> {
  const page = pageOf(data);
  if (page?.kind === 'alert') await history.recordAlertMessage(page.id, jobId, record);
  else if (page?.kind === 'list') await history.recordListMessage(page.id, jobId, record);
}
