#include <modbus.h>
#include <errno.h>
#include <pthread.h>

// glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not define (names threads for
// `ps -L`, `top -H`).
extern int pthread_setname_np(pthread_t thread, const char *name);
// Likewise (glibc 2.30+): the calling thread's kernel id, for the real-time runaway guard.
extern pid_t gettid(void);

// libmodbus spells its error numbers as macro arithmetic over an anonymous enum,
// which Swift does not import. Re-export the ones we branch on.
static const int cmodbus_EMBXILFUN = EMBXILFUN;
static const int cmodbus_EMBXILADD = EMBXILADD;
static const int cmodbus_EMBXILVAL = EMBXILVAL;
static const int cmodbus_EMBXSFAIL = EMBXSFAIL;
static const int cmodbus_EMBXACK = EMBXACK;
static const int cmodbus_EMBXSBUSY = EMBXSBUSY;
static const int cmodbus_EMBXNACK = EMBXNACK;
static const int cmodbus_EMBXMEMPAR = EMBXMEMPAR;
static const int cmodbus_EMBXGPATH = EMBXGPATH;
static const int cmodbus_EMBXGTAR = EMBXGTAR;
static const int cmodbus_EMBBADCRC = EMBBADCRC;
static const int cmodbus_EMBBADDATA = EMBBADDATA;
static const int cmodbus_EMBBADEXC = EMBBADEXC;
static const int cmodbus_EMBMDATA = EMBMDATA;
static const int cmodbus_EMBBADSLAVE = EMBBADSLAVE;
static const int cmodbus_EMBUNKEXC = EMBUNKEXC;
