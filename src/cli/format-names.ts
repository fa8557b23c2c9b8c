/** The values of --format: text for people, the others for machines (src/cli/formats.ts). Its own module so start-up loads nothing more. */
export const FORMATS = ["text", "json", "github-actions", "sarif"] as const;
export type Format = (typeof FORMATS)[number];
