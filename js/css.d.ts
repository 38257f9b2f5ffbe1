// esbuild's "text" loader turns an imported .css file into its text (see build.mjs).
declare module "*.css" {
  const css: string;
  export default css;
}
