import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';

export const BOARD_PATH = '/admin/queues';

/**
 * Bull Board's page links its web font from fonts.googleapis.com: where the gateway has no way
 * out, the browser waits on it. Dropped, the page uses the system's fonts; everything else it
 * loads is served from here.
 */
const WEB_FONT_LINK = /<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>\s*/g;

const withoutWebFonts: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(WEB_FONT_LINK, '') : body);
  next();
};

/** Times on the board as on the cards: in DISPLAY_TZ, whatever the browser's zone. */
function dateFormats(tz: string) {
  const time = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: tz, timeZoneName: 'short' } as const;
  const full = { year: 'numeric', month: '2-digit', day: '2-digit', ...time } as const;
  return { short: time, common: full, full };
}

type BoardDeps = { queues: Queue[]; auth: RequestHandler; displayTz: string };

async function loadBoard(deps: BoardDeps): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: deps.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'notification-gateway', dateFormats: dateFormats(deps.displayTz) } },
  });
  return serverAdapter.getRouter();
}

/**
 * Bull Board: the failed set is the dead-letter view, where a person retries a job. It costs
 * ingest about 14 MB of memory, so it is loaded when someone first opens it, not at start-up.
 */
export function boardRoutes(deps: BoardDeps): Router {
  let board: Promise<RequestHandler> | undefined;
  const lazily: RequestHandler = (req, res, next) => {
    board ??= loadBoard(deps);
    board.then((handler) => handler(req, res, next), next);
  };
  const router = Router();
  router.use(BOARD_PATH, deps.auth, withoutWebFonts, lazily);
  return router;
}
