// rigsim: serves simulated rigs. Filled in by the foundation work.
print("rigsim: not built yet")
