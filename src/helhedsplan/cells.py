"""The keys by which the report notebook's outputs tell the render step what they are.

FLOAT: the cell options (a label and a caption) an output is rendered with as a cell of its
own, so tables and figures made in a loop are numbered and captioned (render/notebook.py).
SLOT: an output the render step fills with text from the year's processed folder (the
comments, the list of input files), so a changed comment costs a render, not a kernel.
"""

FLOAT = "helhedsplan_celle"
SLOT = "helhedsplan_felt"
