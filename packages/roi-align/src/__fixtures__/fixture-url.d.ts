// Vite's `?url` imports, used by the browser test to fetch fixtures.
declare module '*?url' {
  const url: string;
  export default url;
}
