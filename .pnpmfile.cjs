// valibot (under Bull Board) lists typescript as an optional peer for its types only. pnpm links
// an optional peer whenever the workspace has one (the root's devDependency), and `pnpm deploy
// --prod` then ships the 23 MB compiler in the production image. Nothing runs it at run time.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === 'valibot' && pkg.peerDependencies) {
        delete pkg.peerDependencies.typescript;
        if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.typescript;
      }
      return pkg;
    },
  },
};
