/**
 * Saves what `url` answers as a file. Fetched, not linked: inside the Shopify admin only fetch
 * carries the session token (App Bridge adds it). Throws when the answer is not a success.
 */
export async function downloadThroughFetch(url: string, filename: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`status ${response.status}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}
