"""nnlib: the small NumPy library that the course book builds, one chapter at a time.

Modules, in the order the book introduces them:

- `nnlib.perceptron`: the threshold unit and the perceptron learning rule.
- `nnlib.data`: logic gates, the coffee menu, seeded 2-D toy datasets.
- `nnlib.plot`: points, decision lines and decision regions.
- `nnlib.widgets`: the interactive demos (needs ipywidgets).
- `nnlib.checks`: the automatic feedback for the exercises.
"""

__version__ = "0.1.0"
