-- Statement-level syntax errors: each statement has one; the parser skips
-- to the next ";" after an error, so every case below is reported.
DROP /* ERROR "expected CREATE, INSERT or SELECT, found DROP" */ STREAM s;
CREATE TABLE /* ERROR "expected STREAM, PUMP or FUNCTION after CREATE" */ t (a INTEGER);
CREATE OR STREAM /* ERROR "expected REPLACE" */ s (a INTEGER);
CREATE STREAM s a /* ERROR "expected .\(. to start the column list" */ INTEGER);
CREATE STREAM s (a VARCHR /* ERROR "unknown type VARCHR" */ (4));
CREATE STREAM s (a VARCHAR(x /* ERROR "expected a number in the type's parentheses" */));
CREATE STREAM s (a VARCHAR(99999999999999999999 /* ERROR "bad type argument" */));
CREATE STREAM s (a INTEGER NOT 1 /* ERROR "expected NULL" */);
CREATE STREAM s (a INTEGER b /* ERROR "expected .\). to close the column list" */ INTEGER);
CREATE STREAM s (a INTEGER) DESCRIPTION x /* ERROR "expected a string literal" */;
CREATE STREAM s (1 /* ERROR "expected a column name" */ INTEGER);
CREATE PUMP p INSERT /* ERROR "expected AS" */ INTO o SELECT STREAM a FROM s;
CREATE PUMP p AS INSERT o /* ERROR "expected INTO" */ SELECT STREAM a FROM s;
INSERT INTO o (a, b SELECT /* ERROR "expected .\). to close the column list" */ STREAM a FROM s;
SELECT STREAM a FROM s WHERE a = 1 x /* ERROR "expected .;. or the end of the statement" */;
SELECT STREAM a, b /* ERROR NEXT "expected FROM, found end of input" */
