; Import bindings, matched on each import statement node (never over a whole
; tree: DESIGN.md gives what a whole-tree query costs). Serves every rule that
; resolves names through imports: AL100, AL107, AL120, AL200, ...
;
; Captures:
;   @import.module  `import a.b` / `import a.b as c`: the module
;   @import.alias   `import a.b as c`: the bound name
;   @from.module    `from X import ...`: X (dotted_name or relative_import)
;   @from.name      `from X import n` / `from X import n as m`: n
;   @from.alias     `from X import n as m`: m
;   @from.star      `from X import *`

(import_statement
  name: (dotted_name) @import.module)

(import_statement
  name: (aliased_import
    name: (dotted_name) @import.module
    alias: (identifier) @import.alias))

(import_from_statement
  module_name: (_) @from.module
  name: (dotted_name) @from.name)

(import_from_statement
  module_name: (_) @from.module
  name: (aliased_import
    name: (dotted_name) @from.name
    alias: (identifier) @from.alias))

(import_from_statement
  module_name: (_) @from.module
  (wildcard_import) @from.star)
