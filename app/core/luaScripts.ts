import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { RedisClient } from "./redis.ts";

/**
 * Loads Lua commands kept as files, one per command, and registers them on a connection
 * with `defineCommand` (EVALSHA with a transparent EVAL fallback, as BullMQ does).
 *
 * A script may pull shared code with a line `--- @include "includes/name"` (a path relative
 * to the script's folder, `../` allowed, so one module's helper serves another's script);
 * each include is inlined once, so commands share helpers without a second copy in the repository.
 */

const INCLUDE = /^--- @include "((?:\.\.\/)*[\w/-]+)"\s*$/gm;

export function readLuaScript(directory: string, name: string, seen = new Set<string>()): string {
  const source = readFileSync(join(directory, `${name}.lua`), "utf8");
  return source.replace(INCLUDE, (_line, include: string) => {
    if (seen.has(include)) return "";
    seen.add(include);
    return readLuaScript(directory, include, seen);
  });
}

export type LuaArgument = string | number;
export type LuaCommand = (keys: readonly string[], args: readonly LuaArgument[]) => Promise<unknown>;

export function defineLuaCommands<Name extends string>(
  redis: RedisClient,
  directory: string,
  /** `numberOfKeys: null`: the command takes as many keys as each call passes (a batch script). */
  spec: Readonly<Record<Name, { numberOfKeys: number | null }>>,
  commandPrefix: string,
): Record<Name, LuaCommand> {
  const commands = {} as Record<Name, LuaCommand>;
  for (const name of Object.keys(spec) as Name[]) {
    const commandName = `${commandPrefix}${name}`;
    const { numberOfKeys } = spec[name];
    redis.defineCommand(commandName, { ...(numberOfKeys === null ? {} : { numberOfKeys }), lua: readLuaScript(directory, name) });
    // defineCommand adds a method at run time; ioredis cannot type it.
    const method = Reflect.get(redis, commandName) as (...argv: LuaArgument[]) => Promise<unknown>;
    commands[name] =
      numberOfKeys === null ? (keys, args) => method.call(redis, keys.length, ...keys, ...args) : (keys, args) => method.call(redis, ...keys, ...args);
  }
  return commands;
}
