"""SCB's Statistikdatabasen through the PxWeb API, v1 and v2: population in one command.

    rfm scb population 0680 --years 2020-2024            # BE0101: kommun × ålder × år
    rfm scb population 0680 --sex each --out befolkning.csv
    rfm scb forecast 0680                                # BE0401: framskriven folkmängd

* :mod:`rfm.scb.client` asks SCB (or a server that answers like it): every request within one
  total deadline, a bounded number of retries and of requests, answers kept in a cache
  (:mod:`rfm.scb.cache`) so that ``--offline`` can answer from it alone;
* :mod:`rfm.scb.cube` reads both APIs' answers into one long table of codes and values;
* :mod:`rfm.scb.population` chooses what to ask for a population (every single year of age,
  both sexes, the kommuner and years asked) and turns the answer into rfm's population schema
  (``area, year, age, count`` and, by sex, ``sex``), summing or selecting over Kön.
"""
