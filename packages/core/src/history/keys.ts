/** A list's ids sit next to its hash: the trim forgets both. */
export const LIST_IDS_SUFFIX = ':ids';

/** Every Redis key of the history, under the queue prefix (one hash tag: one Cluster slot). */
export function historyKeys(prefix: string) {
  return {
    /** Hash per alert: alert, fate, reason, plan, decidedAt, m:<message>, l:<list>. */
    alert: (id: string) => `${prefix}:h:a:${id}`,
    /** Sorted set of alert ids by received time: the list and its time range. */
    index: `${prefix}:h:i`,
    /** Hash id → AlertSummary JSON: what filters read, without the records. */
    summaries: `${prefix}:h:s`,
    /** List per problem, newest first: { at, id, status, fate }. */
    timeline: (key: string) => `${prefix}:h:p:${key}`,
    /** Sorted set of problem keys by their timeline's newest entry (received time): timelines go with the alerts they list. */
    timelines: `${prefix}:h:pi`,
    /** Sorted set of open problems by last seen. */
    open: `${prefix}:h:open`,
    /** Hash per digest or storm summary: meta, m:<message> (and ids, a JSON list, in records written before LIST_IDS_SUFFIX). */
    list: (id: string) => `${prefix}:h:l:${id}`,
    /** List per digest or storm summary: the ids of the alerts it carried, in the order its page shows them. */
    listIds: (id: string) => `${prefix}:h:l:${id}${LIST_IDS_SUFFIX}`,
    /** Sorted set of list ids by time, for trimming. */
    lists: `${prefix}:h:li`,
    /** The problem state the worker keeps for dedup (count, userCount, firstSeen, lastSeen, status). */
    problem: (key: string) => `${prefix}:problem:${key}`,
    /** Who claimed the problem and who handled it (acks.ts). */
    ack: (key: string) => `${prefix}:ack:${key}`,
  };
}
