import express from 'express';

/** The framework's limit on this machine: express.json() and a 202, nothing else. */
const app = express();
app.use(express.json({ limit: '1mb' }));
app.post(/.*/, (_req, res) => {
  res.status(202).json({ status: 'accepted' });
});
const server = app.listen(Number(process.env.PORT), () => console.log('bare express listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
