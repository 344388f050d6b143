// Imported as text (with { type: 'text' }) by src/admin/assets.ts, which embeds it in the executable.
declare const text: string
export default text
