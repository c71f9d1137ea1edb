// Skill files embedded by src/skills-assets.gen.ts: a `with { type: "file" }` import is a path.
declare module "*.md" {
  const path: string;
  export default path;
}
