import en from "../locales/en.default.json" with { type: "json" };

/**
 * The shopper-facing refusals, by language. The widget ships English only
 * (extensions/waiting-room/locales), so does the gate; a language added there gets a
 * locales/<lang>.json here and an entry below. Unknown languages read English.
 */
export type MessageKey = keyof typeof en.messages;

const CATALOGS: Record<string, Record<MessageKey, string>> = { en: en.messages };

export function message(isoCode: string, key: MessageKey, values: Record<string, number> = {}): string {
  const language = isoCode.split("_")[0]?.toLowerCase() ?? "en";
  const template = (CATALOGS[language] ?? CATALOGS.en)![key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}
