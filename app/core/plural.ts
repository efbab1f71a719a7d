/**
 * The server's counted English phrases ("1 hold was", "2 holds were"), chosen by
 * Intl.PluralRules rather than `n === 1`, so a phrase is written once per form. The shopper's
 * strings are the widget's own (extensions/waiting-room: "<key>_<category>" locale keys).
 */
const english = new Intl.PluralRules("en");

/** `forms.one` or `forms.other` for `count`, with "{n}" replaced by the count. */
export function counted(count: number, forms: { one: string; other: string }): string {
  return (english.select(count) === "one" ? forms.one : forms.other).replaceAll("{n}", String(count));
}
