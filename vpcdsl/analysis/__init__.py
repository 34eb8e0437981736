"""Stage 5, analysis: questions about a model answered from the flows and the
model: expectations, flows over sets of packets, and what Route 53 answers."""
