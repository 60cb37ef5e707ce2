// Vite's `?url` imports, used by browser tests to fetch fixtures.
declare module '*?url' {
  const url: string;
  export default url;
}
