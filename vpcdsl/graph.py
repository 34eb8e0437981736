"""(graph: filled in by the graph work)"""
