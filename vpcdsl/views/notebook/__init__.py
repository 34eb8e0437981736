"""vpcdsl in Jupyter: the ``%%vpc`` magic (`magic`), rich display of models,
diagnostics, traces and Route 53 answers (`rich`, `html_display`), and the
explorer widget (`explorer`). IPython and ipywidgets are imported only here."""
