// Remix's browser entry, kept in the app (not the default inside @remix-run/dev) so the browser
// loads it from /app like every other page module, never from a path inside node_modules.
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
