/** Vite's `?raw` imports: the file's text (test/openapi compares the committed openapi.json with the served one). */
declare module '*?raw' {
  const text: string;
  export default text;
}
