// @remix-run/node's type declarations make NODE_ENV a required key of every ProcessEnv, which
// would break each `env` object literal in the code base; declared optional here (it is).
declare global {
  namespace NodeJS {
    interface ProcessEnv {
      NODE_ENV?: "development" | "production" | "test";
    }
  }
}
export {};
