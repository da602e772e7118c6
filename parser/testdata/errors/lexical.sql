-- Scanner errors: they do not stop the statement, so a later syntax error
-- in it is reported too.
SELECT STREAM a ? /* ERROR "unexpected character .\?." */ FROM s;
SELECT STREAM AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA /* ERROR "identifier longer than 128 characters" */ FROM s;
SELECT STREAM a FROM s WHERE b = /* ERROR NEXT "unterminated string literal" */ 'unterminated
