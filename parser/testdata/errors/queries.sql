-- Query clauses.
SELECT STREAM a WHERE /* ERROR "expected FROM, found WHERE" */ a = 1;
SELECT STREAM a FROM s GROUP a /* ERROR "expected BY" */;
SELECT STREAM a FROM s WINDOWED BY STAGGER PARTITION /* ERROR "expected .\(. after STAGGER" */ BY a RANGE INTERVAL '1' MINUTE);
SELECT STREAM a FROM s WINDOWED BY STAGGER (PARTITION BY a RANGE 1 /* ERROR "expected INTERVAL" */);
SELECT STREAM a FROM s WINDOW w ( /* ERROR "expected AS, found .\(." */ RANGE INTERVAL '1' MINUTE PRECEDING);
SELECT STREAM AVG(a) OVER (ROWS 1) /* ERROR "expected PRECEDING" */ FROM s;
SELECT STREAM AVG(a) OVER (ROWS UNBOUNDED CURRENT /* ERROR "expected PRECEDING" */ ROW) FROM s;
SELECT STREAM AVG(a) OVER (ROWS BETWEEN 2 PRECEDING CURRENT /* ERROR "expected AND" */ ROW) FROM s;
SELECT STREAM AVG(a) OVER (RANGE CURRENT RANGE /* ERROR "expected ROW" */) FROM s;
SELECT STREAM a FROM TABLE(1 /* ERROR "TABLE\(...\) needs a table function call" */);
SELECT STREAM a FROM TABLE(f(x) x /* ERROR "expected .\). to close TABLE\(" */);
SELECT STREAM a FROM (SELECT STREAM a FROM s x y /* ERROR "expected .\). to close the subquery" */;
SELECT STREAM a FROM s JOIN t AS u ON a = b LEFT x /* ERROR "expected JOIN" */ t;
SELECT STREAM a FROM s AS x ( /* ERROR "expected .;. or the end of the statement" */ a, 1);
SELECT STREAM a FROM (SELECT STREAM a FROM s) AS x (a, 1 /* ERROR "expected a column alias" */);
SELECT STREAM a FROM s ORDER a /* ERROR "expected BY" */;
(SELECT STREAM a FROM s UNION ALL SELECT STREAM b FROM t x; /* ERROR "expected .\). to close the subquery" */
