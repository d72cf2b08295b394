// The layers of src/, bottom to top. A module imports only from its own layer or the layers below it:
//   base      model/ (what every layer shares), exposition/ (text encoding), log.ts, version.ts
//   config, aws   (peers: neither imports the other)
//   collect
//   metrics, check   (peers: exposition of a collection; the preflight)
//   http
//   root      exporter.ts, main.ts, demo.ts, healthcheck.ts, cli/ (the composition root)
// The simulator stands apart, an AWS stand-in: it shares only the model.
const LAYERS = {
  base: '^src/(model|exposition)/|^src/(log|version)\\.ts$',
  config: '^src/config/',
  aws: '^src/aws/',
  collect: '^src/collect/',
  metrics: '^src/metrics/',
  check: '^src/check/',
  http: '^src/http/',
  root: '^src/(exporter|main|demo|healthcheck)\\.ts$|^src/cli/',
  simulator: '^src/simulator/',
};

/** A rule that `layer` imports nothing from `above`. */
function below(layer, above) {
  return {
    name: `${layer}-imports-downward`,
    comment: `${layer} may not import from ${above.join(', ')}: imports go down the layers only (see .dependency-cruiser.cjs)`,
    severity: 'error',
    from: { path: LAYERS[layer] },
    to: { path: above.map((name) => LAYERS[name]).join('|') },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle ties its modules into one: none can be read, tested or changed alone.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-only-base',
      comment: 'model/, exposition/, log.ts and version.ts are the bottom layer: they import no other part of src/.',
      severity: 'error',
      from: { path: LAYERS.base },
      to: { path: '^src/', pathNot: LAYERS.base },
    },
    below('config', ['aws', 'collect', 'metrics', 'check', 'http', 'root', 'simulator']),
    below('aws', ['config', 'collect', 'metrics', 'check', 'http', 'root', 'simulator']),
    below('collect', ['metrics', 'check', 'http', 'root', 'simulator']),
    below('metrics', ['check', 'http', 'root', 'simulator']),
    below('check', ['metrics', 'http', 'root', 'simulator']),
    below('http', ['check', 'root', 'simulator']),
    {
      name: 'simulator-shares-only-the-model',
      comment: 'The simulator stands in for AWS: it may share the model, never the exporter that it tests.',
      severity: 'error',
      from: { path: LAYERS.simulator },
      to: { path: '^src/', pathNot: `${LAYERS.simulator}|^src/model/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
