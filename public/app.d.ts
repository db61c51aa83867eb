// app.js is imported by src/dashboard/static.ts with `type: "file"`: what TypeScript gets is its path.
declare const path: string;
export default path;
