/**
 * The doctor judges with the worker's own code, so it checks what the worker will do: its
 * policy loader and its WeCom errcode classifier with the operator hints. @ng/worker does not
 * export them from its index yet, so they come from its compiled files (present in the image
 * too); once it does, import them from '@ng/worker' here and nowhere else.
 */
export { loadPolicy, type DestinationSpec, type Policy } from '@ng/worker/dist/policy';
export { classifyResponse, type Classification } from '@ng/worker/dist/wecom/classify';
