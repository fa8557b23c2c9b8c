// Copies the grammar from the repository (grammar/, the one the tests check)
// into out/syntaxes/, where package.json's contributes.grammars points.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
mkdirSync(join(here, "out/syntaxes"), { recursive: true });
copyFileSync(join(here, "../../grammar/net.tmLanguage.json"), join(here, "out/syntaxes/net.tmLanguage.json"));
