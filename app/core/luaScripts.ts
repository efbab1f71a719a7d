import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

import type { RedisClient } from "./redis.ts";

/**
 * Loads Lua commands kept as files, one per command, and registers them on a connection
 * with `defineCommand` (EVALSHA with a transparent EVAL fallback, as BullMQ does).
 *
 * A script may pull shared code with a line `--- @include "includes/name"` (a path relative
 * to the folder of the file that has the line, `../` allowed, so one module's helper serves
 * another's script and an include can pull the helpers it needs itself); each file is inlined
 * once, so commands share helpers without a second copy in the repository.
 */

const INCLUDE = /^--- @include "((?:\.\.\/)*[\w/-]+)"\s*$/gm;

export function readLuaScript(directory: string, name: string, seen = new Set<string>()): string {
  const path = join(directory, `${name}.lua`);
  const source = readFileSync(path, "utf8");
  return source.replace(INCLUDE, (_line, include: string) => {
    const included = join(dirname(path), include);
    if (seen.has(included)) return "";
    seen.add(included);
    return readLuaScript(dirname(path), include, seen);
  });
}

export type LuaArgument = string | number;
export type LuaCommand = (keys: readonly string[], args: readonly LuaArgument[]) => Promise<unknown>;

export function defineLuaCommands<Name extends string>(
  redis: RedisClient,
  directory: string,
  spec: Readonly<Record<Name, { numberOfKeys: number | "variable" }>>,
  commandPrefix: string,
): Record<Name, LuaCommand> {
  const commands = {} as Record<Name, LuaCommand>;
  for (const name of Object.keys(spec) as Name[]) {
    const commandName = `${commandPrefix}${name}`;
    const numberOfKeys = spec[name].numberOfKeys;
    const lua = readLuaScript(directory, name);
    // Without numberOfKeys, ioredis takes the key count from the first argument.
    redis.defineCommand(commandName, numberOfKeys === "variable" ? { lua } : { numberOfKeys, lua });
    // defineCommand adds a method at run time; ioredis cannot type it.
    const method = Reflect.get(redis, commandName) as (...argv: LuaArgument[]) => Promise<unknown>;
    commands[name] =
      numberOfKeys === "variable" ? (keys, args) => method.call(redis, keys.length, ...keys, ...args) : (keys, args) => method.call(redis, ...keys, ...args);
  }
  return commands;
}
