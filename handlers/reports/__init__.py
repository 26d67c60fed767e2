"""Reports: the figures, the staff /thongke and /baocao answers, the workbook and the chart.

May import handlers/ shared modules, handlers.schedule and storage/; never a messenger SDK or bot/.
"""
