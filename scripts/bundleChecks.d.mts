export function holdsState(text: string): boolean;
export function exportedClasses(text: string): string[];
export function instanceofNames(text: string): string[];
export function importedNames(text: string, spec: string): Set<string>;
