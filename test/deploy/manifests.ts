// Reads deploy/: the kustomizations, the objects they list and the overlay's patches, and
// renders the production overlay the way kustomize's strategic merge does for the fields used
// here (objects merge, lists of named entries merge by name, other lists and values replace).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { parseAllDocuments } from "yaml";

import { ROOT } from "../db/databases.ts";

export const DEPLOY = join(ROOT, "deploy");
export const BASE = join(DEPLOY, "k8s", "base");
export const PRODUCTION = join(DEPLOY, "k8s", "overlays", "production");

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: Json | Manifest["metadata"];
}

export interface Kustomization {
  namespace?: string;
  resources: string[];
  patches?: { path: string }[];
  images?: { name: string; newName: string; newTag: string }[];
}

/** Every YAML document of a file; a syntax error fails with the file's name. */
export function readYaml(file: string): JsonObject[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join("; ")}`);
    return document.toJSON() as JsonObject;
  });
}

export function readKustomization(directory: string): Kustomization {
  return readYaml(join(directory, "kustomization.yaml"))[0] as unknown as Kustomization;
}

/** The YAML files of a folder other than its kustomization. */
export function yamlFilesIn(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".yaml") && name !== "kustomization.yaml")
    .sort();
}

/** The objects a kustomization lists, following folders (other kustomizations) recursively. */
export function resourcesOf(directory: string): Manifest[] {
  return readKustomization(directory).resources.flatMap((entry) =>
    entry.endsWith(".yaml") ? (readYaml(join(directory, entry)) as unknown as Manifest[]) : resourcesOf(join(directory, entry)),
  );
}

export const identity = (object: { kind: string; metadata: { name: string } }) => `${object.kind}/${object.metadata.name}`;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isNamedList = (list: Json[]) => list.length > 0 && list.every((entry) => isObject(entry) && typeof entry.name === "string");

export function strategicMerge(target: Json, patch: Json): Json {
  if (isObject(target) && isObject(patch)) {
    const merged: JsonObject = { ...target };
    for (const [key, value] of Object.entries(patch)) merged[key] = key in target ? strategicMerge(target[key] as Json, value) : value;
    return merged;
  }
  if (Array.isArray(target) && Array.isArray(patch) && isNamedList(target) && isNamedList(patch)) {
    const merged = target.map((entry) => {
      const match = patch.find((candidate) => (candidate as JsonObject).name === (entry as JsonObject).name);
      return match === undefined ? entry : strategicMerge(entry, match);
    });
    return [...merged, ...patch.filter((entry) => !target.some((existing) => (existing as JsonObject).name === (entry as JsonObject).name))];
  }
  return patch;
}

/** The production overlay as kustomize renders it: patches applied, namespace and image set. */
export function renderProduction(): Manifest[] {
  const overlay = readKustomization(PRODUCTION);
  let objects = resourcesOf(PRODUCTION);
  for (const { path } of overlay.patches ?? []) {
    for (const patch of readYaml(join(PRODUCTION, path)) as unknown as Manifest[]) {
      const at = objects.findIndex((object) => identity(object) === identity(patch));
      if (at === -1) throw new Error(`${path} patches ${identity(patch)}, which no resource defines`);
      objects = objects.map((object, index) =>
        index === at ? (strategicMerge(object as unknown as Json, patch as unknown as Json) as unknown as Manifest) : object,
      );
    }
  }
  const image = (name: string) => {
    const set = overlay.images?.find((entry) => entry.name === name);
    return set ? `${set.newName}:${set.newTag}` : name;
  };
  return objects.map((object) => {
    const rendered = JSON.parse(JSON.stringify(object)) as Manifest;
    if (rendered.kind !== "Namespace" && overlay.namespace) rendered.metadata.namespace = overlay.namespace;
    for (const container of podSpec(rendered)?.containers ?? []) container.image = image(container.image);
    return rendered;
  });
}

export interface Container {
  name: string;
  image: string;
  command: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}

export interface Probe {
  httpGet: { path: string; port: string | number };
}

export interface PodSpec {
  terminationGracePeriodSeconds?: number;
  containers: Container[];
}

export function podSpec(object: Manifest): PodSpec | undefined {
  if (object.kind !== "Deployment") return undefined;
  return (object as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

/** The only container of a Deployment. */
export function containerOf(objects: Manifest[], deployment: string): Container {
  const containers = podSpec(find(objects, "Deployment", deployment))?.containers ?? [];
  if (containers.length !== 1) throw new Error(`${deployment} has ${containers.length} containers`);
  return containers[0] as Container;
}

/** The Dockerfile's runtime stage: its ENV pairs and CMD. */
export function dockerRuntime(): { env: Record<string, string>; cmd: string[]; user: string; healthcheck: string } {
  const text = readFileSync(join(DEPLOY, "Dockerfile"), "utf8").replace(/\\\n\s*/g, "");
  const runtime = text.slice(text.lastIndexOf("\nFROM "));
  const line = (instruction: string) =>
    runtime
      .split("\n")
      .find((entry) => entry.startsWith(`${instruction} `))
      ?.slice(instruction.length + 1) ?? "";
  const env = Object.fromEntries([...line("ENV").matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1] as string, match[2] as string]));
  return { env, cmd: JSON.parse(line("CMD")) as string[], user: line("USER"), healthcheck: line("HEALTHCHECK") };
}
