// Imports of assets embedded at build time: their text (`with { type: 'text' }`), or the path to read them from
// (`with { type: 'file' }`, the Swagger UI assets).
declare module '*.sql' {
  const text: string
  export default text
}
declare module '*.css' {
  const text: string
  export default text
}
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const text: string
  export default text
}
declare module '*.php' {
  const text: string
  export default text
}
declare module '*.txt' {
  const text: string
  export default text
}
