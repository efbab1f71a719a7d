import { ConsolePolaris } from "./ConsoleFrame.tsx";
import { RouteErrorPage } from "./PageStates.tsx";

/** Console pages' error boundary: the failure, and what to do next, in Polaris. */
export function ConsoleErrorBoundary() {
  return (
    <ConsolePolaris>
      <RouteErrorPage listUrl="/console" />
    </ConsolePolaris>
  );
}
