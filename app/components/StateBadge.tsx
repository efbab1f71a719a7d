import { Badge } from "@shopify/polaris";

type Tone = "success" | "attention" | "info" | "critical" | "warning" | undefined;

const TONES: Record<string, { tone: Tone; label: string }> = {
  draft: { tone: undefined, label: "Draft" },
  scheduled: { tone: "info", label: "Scheduled" },
  prequeue: { tone: "attention", label: "Pre-queue open" },
  live: { tone: "success", label: "Live" },
  paused: { tone: "warning", label: "Paused" },
  ended: { tone: undefined, label: "Ended" },
};

export function stateLabel(state: string): string {
  return TONES[state]?.label ?? state;
}

export function StateBadge({ state }: { state: string }) {
  const entry = TONES[state] ?? { tone: undefined, label: state };
  return entry.tone ? <Badge tone={entry.tone}>{entry.label}</Badge> : <Badge>{entry.label}</Badge>;
}
