// Issue #16 item 3: no cluster runs here, so every manifest is checked against the Kubernetes
// schemas (kubernetes-models) and against the app: probes, ports, variables, commands.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";

import { DEFAULT_PRESCALE_REPLICAS, PRODUCTION_NAMESPACE, RESTING_MIN_REPLICAS, WEB_HPA_NAME } from "../../app/composition/prescale.ts";
import { STOP_DEADLINE_MS } from "../../app/composition/shutdown.ts";
import { ROOT } from "../db/databases.ts";
import {
  BASE,
  containerOf,
  dockerRuntime,
  find,
  identity,
  type Manifest,
  podSpec,
  PRODUCTION,
  readKustomization,
  readYaml,
  renderProduction,
  resourcesOf,
  yamlFilesIn,
} from "./manifests.ts";

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 ConfigMap": ConfigMap,
  "v1 Namespace": Namespace,
  "v1 Service": Service,
};

/** Validates against the schema of the object's apiVersion and kind; unknown kinds fail too. */
function validate(object: Manifest): void {
  const Model = MODELS[`${object.apiVersion} ${object.kind}`];
  if (Model === undefined) throw new Error(`${object.apiVersion} ${object.kind} has no schema here`);
  new Model(object as never).validate();
}

const production = renderProduction();
const WORKLOADS = ["holdfast-web", "holdfast-worker"] as const;
const config = find(production, "ConfigMap", "holdfast-config") as unknown as { data: Record<string, string> };

/** Every TypeScript file of app/ and prisma/ as one text, to look variable names up in. */
function appSources(): string {
  const texts: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) {
        if (name !== "generated") walk(path);
      } else if (/\.tsx?$/.test(name)) texts.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(ROOT, "app"));
  walk(join(ROOT, "prisma"));
  return texts.join("\n");
}

describe("deploy/k8s", () => {
  it("each kustomization lists every file of its folder, and every file it lists exists", () => {
    for (const directory of [BASE, PRODUCTION]) {
      const kustomization = readKustomization(directory);
      const listed = [...kustomization.resources.filter((entry) => entry.endsWith(".yaml")), ...(kustomization.patches ?? []).map((patch) => patch.path)];
      expect(listed.sort(), directory).toEqual(yamlFilesIn(directory));
    }
    expect(readKustomization(PRODUCTION).resources).toContain("../../base");
  });

  it("every object, in the base and rendered by the production overlay, is valid for its Kubernetes schema", () => {
    const objects = [...resourcesOf(BASE), ...production];
    expect(objects.map(identity).sort()).toEqual(
      expect.arrayContaining([
        "ConfigMap/holdfast-config",
        "Deployment/holdfast-web",
        "Deployment/holdfast-worker",
        "HorizontalPodAutoscaler/holdfast-web",
        "PodDisruptionBudget/holdfast-web",
        "PodDisruptionBudget/holdfast-worker",
        "Service/holdfast-web",
      ]),
    );
    for (const object of objects) expect(() => validate(object), identity(object)).not.toThrow();
  });

  it("the schema check rejects a broken manifest", () => {
    const broken = JSON.parse(JSON.stringify(find(production, "Deployment", "holdfast-web"))) as Manifest;
    const container = podSpec(broken)?.containers[0] as unknown as { livenessProbe: { httpGet: Record<string, unknown> } };
    delete container.livenessProbe.httpGet.port;
    expect(() => validate(broken)).toThrow(/livenessProbe\/httpGet must have required property port/);
    const hpa = JSON.parse(JSON.stringify(find(production, "HorizontalPodAutoscaler", "holdfast-web"))) as { spec: Record<string, unknown> };
    hpa.spec.minReplicas = "3";
    expect(() => validate(hpa as unknown as Manifest)).toThrow("data/spec/minReplicas must be integer");
    expect(() => validate({ apiVersion: "apps/v1beta1", kind: "Deployment", metadata: { name: "old" } })).toThrow("has no schema here");
  });

  it("every overlay patch names an object of the base", () => {
    const base = resourcesOf(BASE).map(identity);
    for (const { path } of readKustomization(PRODUCTION).patches ?? []) {
      for (const patch of readYaml(join(PRODUCTION, path)) as unknown as Manifest[]) expect(base, path).toContain(identity(patch));
    }
  });

  it("probes ask /healthz (alive) and /readyz (ready) on the port the app listens on", () => {
    for (const name of WORKLOADS) {
      const container = containerOf(production, name);
      const ports = new Map((container.ports ?? []).map((port) => [port.name, port.containerPort]));
      for (const [probe, path] of [
        [container.startupProbe, "/healthz"],
        [container.livenessProbe, "/healthz"],
        [container.readinessProbe, "/readyz"],
      ] as const) {
        expect(probe?.httpGet.path, name).toBe(path);
        expect(ports.get(String(probe?.httpGet.port)), name).toBe(Number(config.data.PORT));
      }
    }
    const service = find(production, "Service", "holdfast-web") as unknown as { spec: { selector: Record<string, string>; ports: { targetPort: string }[] } };
    const web = find(production, "Deployment", "holdfast-web") as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    expect(web.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(containerOf(production, "holdfast-web").ports?.map((port) => port.name)).toContain(service.spec.ports[0]?.targetPort);
  });

  it("every variable the manifests set or pass is one the app reads, from the ConfigMap and the Secret by reference", () => {
    const sources = appSources();
    for (const name of WORKLOADS) {
      const container = containerOf(production, name);
      expect(container.envFrom).toEqual([{ configMapRef: { name: "holdfast-config" } }]);
      for (const variable of container.env ?? []) {
        expect(sources, variable.name).toContain(variable.name);
        if (variable.valueFrom) expect(variable.valueFrom.secretKeyRef, variable.name).toMatchObject({ name: "holdfast-secrets", key: variable.name });
      }
      const required = (container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef?.optional !== true).map((variable) => variable.name);
      expect(required).toEqual(expect.arrayContaining(["HOLDFAST_ROLE", "DATABASE_URL", "REDIS_URL", "HOLDFAST_ENCRYPTION_KEY"]));
    }
    for (const variable of Object.keys(config.data)) expect(sources, variable).toContain(variable);
    expect(containerOf(production, "holdfast-web").env?.find((variable) => variable.name === "HOLDFAST_ROLE")?.value).toBe("web");
    expect(containerOf(production, "holdfast-worker").env?.find((variable) => variable.name === "HOLDFAST_ROLE")?.value).toBe("worker");
  });

  it("the containers run the Dockerfile's command, which is npm run start:prod's, on the released image", () => {
    const docker = dockerRuntime();
    const startProd = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start:prod"] ?? "";
    expect(startProd).toBe(`NODE_ENV=${docker.env.NODE_ENV} ${docker.cmd.join(" ")}`);
    expect(docker.env.NODE_ENV).toBe("production");
    const { images } = readKustomization(PRODUCTION);
    for (const name of WORKLOADS) {
      const container = containerOf(production, name);
      expect(container.command, name).toEqual(docker.cmd);
      expect(container.image, name).toBe(`${images?.[0]?.newName}:${images?.[0]?.newTag}`);
    }
  });

  it("pods stop inside their grace period, as a non-root user on a read-only root filesystem", () => {
    const uid = Number(dockerRuntime().user.split(":")[0]);
    expect(uid).toBeGreaterThan(0);
    for (const name of WORKLOADS) {
      const pod = podSpec(find(production, "Deployment", name)) as unknown as {
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: boolean; runAsUser: number };
        containers: { lifecycle?: { preStop?: { exec: { command: string[] } } }; securityContext: Record<string, unknown> }[];
      };
      const preStop = Number(pod.containers[0]?.lifecycle?.preStop?.exec.command[1] ?? 0);
      expect(pod.terminationGracePeriodSeconds * 1_000, name).toBeGreaterThan(preStop * 1_000 + STOP_DEADLINE_MS);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid });
      expect(pod.containers[0]?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    }
  });

  it("the autoscaler and the disruption budgets select the workloads; prescale knows the overlay's names and floor", () => {
    const hpa = find(production, "HorizontalPodAutoscaler", WEB_HPA_NAME) as unknown as {
      metadata: { namespace: string };
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
    };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "holdfast-web" });
    expect(hpa.metadata.namespace).toBe(PRODUCTION_NAMESPACE);
    expect(hpa.spec.minReplicas).toBe(RESTING_MIN_REPLICAS);
    expect(DEFAULT_PRESCALE_REPLICAS).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    for (const name of WORKLOADS) {
      const pods = (find(production, "Deployment", name) as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template
        .metadata.labels;
      const budget = find(production, "PodDisruptionBudget", name) as unknown as { spec: { selector: { matchLabels: Record<string, string> } } };
      expect(pods, name).toMatchObject(budget.spec.selector.matchLabels);
    }
  });
});

describe("deploy/Dockerfile", () => {
  it("builds in one stage and runs the compiled build in a slim one, with a health check on /healthz", () => {
    const text = readFileSync(join(ROOT, "deploy", "Dockerfile"), "utf8");
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/^RUN npm ci$/m);
    expect(text).toMatch(/^RUN npm run build && node scripts\/build-server\.mjs --out \/runtime && npm prune --omit=dev$/m);
    expect(text).toMatch(/^FROM node:22-slim AS runtime$/m);
    expect(dockerRuntime().healthcheck).toContain("/healthz");
    expect(dockerRuntime().env).toMatchObject({ HOST: "0.0.0.0", PORT: config.data.PORT });
    expect(readFileSync(join(ROOT, "deploy", "Dockerfile.dockerignore"), "utf8").split("\n")).toEqual(
      expect.arrayContaining(["node_modules", "dist", "build", ".env", "prisma/.holdfast-*"]),
    );
  });
});
