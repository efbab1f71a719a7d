// Vite's `?url` imports (stylesheets linked from routes) resolve to the asset's URL.
declare module "*.css?url" {
  const href: string;
  export default href;
}
