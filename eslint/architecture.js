// Odra's layering, enforced by eslint (eslint-plugin-boundaries for imports between our own
// folders, ESLint's core no-restricted-imports / no-restricted-globals for packages and
// globals). `npm run lint` fails on any import that breaks these rules; test/unit/lint
// shows that a deliberate back-import does.
//
// Why eslint-plugin-boundaries: it resolves every import to the file it names (so
// `../../datasets/x` from corruptions/kernels/ and `../datasets/x` from corruptions/ are
// the same edge), classifies both ends by folder, and reports the rule that refused it.
// The core no-restricted-imports only sees the import's text, which for relative paths
// depends on where the importing file sits.
//
// PROCESSES (src/<folder>): who may import whom
//
//   folder             may import (our code)                  packages
//   shared             shared                                 zod only; no Node or DOM globals
//   platform/node      platform/node                          node:* only
//   renderer           renderer, shared                       browser libraries; no Node, no Electron
//   preload            preload, shared                        electron only
//   main               main, shared, platform/node            electron, Node; never the engine
//   engine             engine (by layer, below), shared,      Node, npm packages; never Electron
//                      platform/node
//   cli                cli, engine, shared, platform/node     Node, npm packages; never Electron
//
// ENGINE AREAS (src/engine/<area>/): an area imports its own files, and areas of a LOWER
// level only. Two different areas on the same level may not import each other: each
// level's areas are independent of one another (a shared need moves down a level, e.g.
// the preview moved from corruptions up to previews instead of corruptions importing
// datasets). Areas listed here that do not exist yet are allowed to appear without a
// config change; an engine folder NOT listed here is an error (boundaries/no-unknown-files),
// so a new area must be placed in this table.
//
//   level  areas
//   0      store, images, cocoeval, util          foundations: SQLite, pixels, COCO scoring, progress/version
//   1      corruptions, datasets, models,          domain: kernels, importers, adapters; analytics may use
//          analytics, demo, policy                 cocoeval, demo is the scene generator, policy turns an
//                                                  analysis into verdicts
//   2      inference                               ORT sessions over models' adapters
//   3      evaluations, previews, jobs             application services: compose the levels below
//   4      audits                                  the audit service: plans, runs (as jobs), scores through
//                                                  the class maps of evaluations, reads and re-scores
//   5      reports                                 render an audit (read through a source interface: the
//                                                  store's audits, image matches of evaluations) to HTML/PDF
//   6      engine.ts                               composition root: the contract's handlers
//   7      rpc                                     sessions that serve the contract (WebSocket, port, in-process)
//   8      host, runner                            process entries: utilityProcess, web server, audit runner
//
// The brief grouped engine.ts, rpc and host as one top level; they do import one another
// in one direction only (host -> rpc -> engine.ts), so they are three levels here rather
// than one level with exceptions.

import { builtinModules } from 'node:module';

export const ENGINE_LEVELS = [
  ['store', 'images', 'cocoeval', 'util'],
  ['corruptions', 'datasets', 'models', 'analytics', 'demo', 'policy'],
  ['inference'],
  ['evaluations', 'previews', 'jobs'],
  ['audits'],
  ['reports'],
  ['engine.ts'],
  ['rpc'],
  ['host', 'runner'],
];

/** The process folders of src/ and what each may import (see the table above). */
const PROCESSES = {
  shared: ['shared'],
  'platform-node': ['platform-node'],
  renderer: ['renderer', 'shared'],
  preload: ['preload', 'shared'],
  main: ['main', 'shared', 'platform-node'],
  cli: ['cli', 'shared', 'platform-node', 'engine:*'],
};

const ROOT = 'engine.ts';
const engineType = (area) => `engine:${area}`;
const ENGINE_AREAS = ENGINE_LEVELS.flat();

const elements = [
  { type: 'shared', pattern: 'src/shared' },
  { type: 'platform-node', pattern: 'src/platform/node' },
  { type: 'renderer', pattern: 'src/renderer' },
  { type: 'preload', pattern: 'src/preload' },
  { type: 'main', pattern: 'src/main' },
  { type: 'cli', pattern: 'src/cli' },
  ...ENGINE_AREAS.filter((area) => area !== ROOT).map((area) => ({ type: engineType(area), pattern: `src/engine/${area}` })),
  // Any other engine folder: in no policy, so every import from or to it fails until it
  // is placed in ENGINE_LEVELS.
  { type: 'engine:unlisted', pattern: 'src/engine/*' },
  // Element patterns name folders (first match wins), so the composition root is "what is
  // left directly in src/engine/": engine.ts.
  { type: engineType(ROOT), pattern: 'src/engine' },
].map((e) => ({ ...e, partialMatch: false }));

function enginePolicies() {
  return ENGINE_LEVELS.flatMap((areas, level) => {
    const below = ENGINE_LEVELS.slice(0, level).flat().map(engineType);
    return areas.map((area) => ({
      from: { element: { type: engineType(area) } },
      allow: { to: { element: { types: { anyOf: [engineType(area), ...below, 'shared', 'platform-node'] } } } },
    }));
  });
}

function processPolicies() {
  return Object.entries(PROCESSES).map(([from, targets]) => ({
    from: { element: { type: from } },
    allow: {
      to: {
        element: {
          types: { anyOf: targets.flatMap((t) => (t === 'engine:*' ? ENGINE_AREAS.map(engineType) : [t])) },
        },
      },
    },
  }));
}

const NODE_GLOBALS = ['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate', 'clearImmediate'];
const DOM_GLOBALS = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'fetch', 'XMLHttpRequest', 'WebSocket', 'self'];

/** Node's built-in modules, with or without the node: prefix. */
const NODE_BUILTIN = `^(node:|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/|$))`;

const restrictedGlobals = (names, why) => names.map((name) => ({ name, message: why }));

/** Import-text rules for packages (our own folders are the boundaries plugin's job). */
const packageRules = [
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|zod/|\\.)', message: 'src/shared imports only zod and itself (pure code shared by every process).' }] },
      ],
      'no-restricted-globals': [
        'error',
        ...restrictedGlobals([...NODE_GLOBALS, ...DOM_GLOBALS], 'src/shared runs in every process: no Node or DOM globals.'),
      ],
    },
  },
  {
    files: ['src/platform/node/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!node:|\\.)', message: 'src/platform/node imports only Node built-ins (node:*).' }] },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: NODE_BUILTIN, message: 'The renderer runs in a sandboxed page: no Node modules.' },
            { regex: '^electron(/|$)', message: 'The renderer reaches Electron only through window.odra (src/shared/desktop-bridge.ts).' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...restrictedGlobals(NODE_GLOBALS, 'The renderer runs in a sandboxed page: no Node globals.')],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!electron$|\\.)', message: 'A sandboxed preload may require only electron (and bundles shared code).' }] },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^electron(/|$)', message: 'The engine and the CLI run under plain Node: no Electron.' }] },
      ],
    },
  },
];

/** Flat-config blocks: the boundaries plugin over src/, then the package rules. */
export function architectureConfig(boundaries) {
  return [
    {
      files: ['src/**/*.ts', 'src/**/*.vue'],
      plugins: { boundaries },
      settings: {
        'boundaries/elements': elements,
        'boundaries/include': ['src/**/*'],
        'import/resolver': { node: { extensions: ['.ts', '.vue', '.js', '.mjs', '.json'] } },
      },
      rules: {
        'boundaries/dependencies': [
          'error',
          {
            default: 'disallow',
            message: 'layering: {{from.type}} may not import {{to.type}} (tables in eslint/architecture.js)',
            policies: [...processPolicies(), ...enginePolicies()],
          },
        ],
        'boundaries/no-unknown-files': 'error',
      },
    },
    ...packageRules,
  ];
}
