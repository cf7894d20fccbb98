// A throwaway write, rolled back with its transaction: the statement replayed after it is
// planned as it is when it follows a write (graph/plans.py).
CREATE (:PlanProbe)
