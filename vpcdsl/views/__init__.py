"""Stage 6, views: what a person sees — text reports, the command line and
Graphviz diagrams. Views import the stages before them, never the reverse."""
