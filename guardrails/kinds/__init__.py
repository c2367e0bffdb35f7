"""Rule kinds: one module per kind, each a `CompiledRule` subclass (see `base`) that turns what
matched into findings. `registry` lists them; this package imports nothing, so importing a kind
never imports the others."""
