"""What a chart shows: its categories, series and numbers, worked out once per request.

`figures.chart_data` turns a Chart and the reader's filter (a `places.Place`) into a
`chart_data.ChartData`: the one object the SVG (sector_data/charts.py), the table beside
it and the CSV download are all made from, so their numbers cannot differ.
    places       the reader's filter: England, a region or a council, and what a line compares
    chart_data   ChartData: the numbers as shown, their text, the summary and the headline
    figures      chart_data(): the grouped queries, and where each place's figures come from
"""
