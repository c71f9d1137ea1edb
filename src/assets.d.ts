// Text and file imports that bun bundles into the binary.
declare module "*.sql" {
  const text: string;
  export default text;
}
