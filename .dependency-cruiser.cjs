// The floor plan of src/ (issue 21; docs/architecture.md explains it). Folders import only folders below them
// in this order, never one above, and no file takes part in a cycle. Checked in npm test
// (test/architecture.test.ts); `npx depcruise src` prints the same report.
//
// lib is the floor. receiver is the sealed formats' contract (the kit for specialist software builds on it
// alone). portal-kit, beside it, opens replies for portals: it imports only lib and receiver. seal signs and
// encrypts; adapters carry sealed messages to endpoints; config reads and validates the
// files (the routing schema composes the adapters' config schemas, so adapters come first). xoev maps and
// validates messages; fim turns FIM data-field schemas into service definitions (it reuses xoev's genericode
// reader, DIN 91379 and XSD checks, so it sits just above); store persists; routing resolves rules from the
// stored routing; delivery runs the outbox; observability counts what delivery and the store hold; replies
// takes the destinations' sealed replies to the portals (issue 24); intake runs the in-request pipeline;
// operations are the use cases the CLI and the admin API share (replay with reroute re-seals through intake's
// step, so operations sit above intake); sources picks submissions up from elsewhere (FIT-Connect destinations) and
// runs them through intake; http serves; gateway wires everything; cli commands sit on top.
const floors = [
  'lib',
  'receiver',
  'portal-kit',
  'seal',
  'adapters',
  'config',
  'xoev',
  'fim',
  'store',
  'routing',
  'delivery',
  'observability',
  'replies',
  'intake',
  'sources',
  'operations',
  'http',
  'gateway',
  'cli',
];

const above = (floor) => floors.slice(floors.indexOf(floor) + 1);

module.exports = {
  forbidden: [
    ...floors.slice(0, -1).map((floor) => ({
      name: `${floor}-imports-upward`,
      comment: `${floor}/ may import only ${floors.slice(0, floors.indexOf(floor)).join(', ') || 'nothing of src/'} (and itself)`,
      severity: 'error',
      from: { path: `^src/${floor}/` },
      to: { path: `^src/(${above(floor).join('|')})/` },
    })),
    {
      name: 'floor-imports-root',
      comment: 'the root files (cli.ts, index.ts) are entry points; no folder imports them',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has a place in the floor plan above',
      severity: 'error',
      from: { path: `^src/(?!(${floors.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no file takes part in an import cycle',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
