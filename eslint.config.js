import js from "@eslint/js";
import tseslint from "typescript-eslint";

import { PART_FENCES } from "./eslint.fences.js";

export default tseslint.config(
  { ignores: ["node_modules/", "app/generated/", "bench/results/", "coverage/", "build/", "dist/", ".cache/", "wordpress-plugin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `import { type X } from "m"` keeps a bare `import "m"` under verbatimModuleSyntax: in a
      // route module that drags a server package (@remix-run/node) into the browser bundle.
      "@typescript-eslint/no-import-type-side-effects": "error",
    },
  },
  {
    // The engine stays free of `any`.
    files: ["app/core/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  // Every part's imports are fenced (eslint.fences.js; docs/architecture.md draws the same arrows).
  ...PART_FENCES.map((fence) => ({
    files: fence.files,
    rules: { "no-restricted-imports": ["error", { patterns: fence.forbidden.map(({ group, message }) => ({ group, message })) }] },
  })),
);
