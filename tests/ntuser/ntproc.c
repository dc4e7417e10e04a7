/* ntproc.c - the stand-in kernel's other processes (see ntuser.c).
 * NtCreateProcessEx runs a child ntuser ("--child") that maps the named
 * image with ntdll and kernel32 and makes its PEB, then waits; the creator
 * fills its memory through process_vm_readv/writev (NtRead/Write-
 * VirtualMemory, NtAllocateVirtualMemory bumping the child's pre-mapped
 * heap) and NtCreateThread / NtResumeThread send the first thread's start
 * context.  The child reports its exit status over a pipe, which
 * NtWaitForSingleObject reads.  A child runs one thread; the process's own
 * further threads (CreateThread) are POSIX threads with a TEB each (from
 * 0x7FFDD000 down) and an LDT entry each for FS. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ntuser.h"

#define MAX_OBJECTS 64
#define HANDLE_BASE 0x100

enum { FREE, PROCESS, THREAD };

struct object {
    int type;
    int process;                        /* a thread's process object; -1: this process */
    int closed;                         /* this process's threads keep their slot */
    ULONG teb;
    int ldt;
    sem_t go, done;
    pid_t pid;
    int ctl, stat;                      /* pipes to and from the child */
    ULONG id;
    ULONG heap_next;
    int exited, started, start_ready;
    ULONG exit_status;
    struct start_msg start;
};

static struct object objects[MAX_OBJECTS];
static ULONG next_child = 1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ULONG next_teb = TEB_ADDRESS - 0x1000;
static int next_ldt = 1;
static __thread struct object *self_thread;   /* NULL in the first thread */

static HANDLE handle_of(int i)
{
    return (HANDLE)(ULONG)(HANDLE_BASE + 4 * i);
}

static struct object *lookup(HANDLE h, int type)
{
    ULONG v = (ULONG)h;
    if (v < HANDLE_BASE || (v - HANDLE_BASE) % 4 || (v - HANDLE_BASE) / 4 >= MAX_OBJECTS)
        return NULL;
    struct object *o = &objects[(v - HANDLE_BASE) / 4];
    return o->type == type && !o->closed ? o : NULL;
}

static int new_object(int type)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_OBJECTS; i++)
        if (objects[i].type == FREE) {
            memset(&objects[i], 0, sizeof objects[i]);
            objects[i].type = type;
            pthread_mutex_unlock(&lock);
            return i;
        }
    pthread_mutex_unlock(&lock);
    return -1;
}

/* ---- this process's threads ---- */

static void *thread_main(void *arg)
{
    struct object *t = arg;
    self_thread = t;
    while (sem_wait(&t->go) && errno == EINTR)
        ;
    unsigned char *stack = malloc(SLICE * SLICES);
    if (!stack)
        die("no memory for a thread");
    ntuser_stack_top = (ULONG)stack + SLICE * SLICES;
    thread_start(t->teb, t->ldt, t->id, &t->start);
}

void thread_exit(ULONG status)
{
    struct object *t = self_thread;
    t->exit_status = status;
    t->exited = 1;
    sem_post(&t->done);
    pthread_exit(NULL);
}

static NTSTATUS create_own_thread(const ULONG *a, const CONTEXT *ctx, const INITIAL_TEB *it)
{
    int i = new_object(THREAD);
    if (i < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct object *t = &objects[i];
    pthread_mutex_lock(&lock);
    t->teb = next_teb;
    t->ldt = next_ldt++;
    next_teb -= 0x1000;
    pthread_mutex_unlock(&lock);
    if (mmap((void *)t->teb, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
             -1, 0) != (void *)t->teb)
        return STATUS_NO_MEMORY;
    t->process = -1;
    t->id = my_process_id + 4 + 4 * (ULONG)t->ldt;
    t->start = (struct start_msg){ ctx->Eip, ctx->Esp, ctx->Eax, ctx->Ebx, (ULONG)it->StackBase, (ULONG)it->StackLimit };
    sem_init(&t->go, 0, 0);
    sem_init(&t->done, 0, 0);
    CLIENT_ID cid = { (HANDLE)my_process_id, (HANDLE)t->id };
    HANDLE h = handle_of(i);
    if (user_write(a[0], &h, sizeof h) || (a[4] && user_write(a[4], &cid, sizeof cid)))
        return STATUS_ACCESS_VIOLATION;
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, thread_main, t))
        return STATUS_INSUFFICIENT_RESOURCES;
    t->started = !(a[7] & 0xFF);
    if (t->started)
        sem_post(&t->go);
    return STATUS_SUCCESS;
}

/* A ramdisk name: in the guest directory's apps/, the first program's
 * directory, the guest directory (build/guest also holds tests/guest's
 * Multiboot images: a demo's name goes to apps/ first). */
static int find_image(const char *name, char *path, size_t size)
{
    const char *dirs[] = { NULL, program_dir, guest_dir };
    char apps[512];
    snprintf(apps, sizeof apps, "%s/apps", guest_dir);
    dirs[0] = apps;
    for (int i = 0; i < 3; i++) {
        snprintf(path, size, "%s/%s", dirs[i], name);
        if (access(path, R_OK) == 0)
            return 1;
    }
    return 0;
}

NTSTATUS nt_create_process(const ULONG *a)
{
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING us;
    WCHAR wide[64];
    char name[64], path[600];
    if (user_read(&oa, a[2], sizeof oa) || !oa.ObjectName || user_read(&us, (ULONG)oa.ObjectName, sizeof us))
        return STATUS_ACCESS_VIOLATION;
    ULONG chars = us.Length / 2;
    if (!chars || chars >= sizeof name || user_read(wide, (ULONG)us.Buffer, chars * 2))
        return STATUS_OBJECT_NAME_INVALID;
    for (ULONG i = 0; i < chars; i++)
        name[i] = wide[i] < 0x7F ? (char)wide[i] : '?';
    name[chars] = 0;
    if (a[5])
        return STATUS_INVALID_PARAMETER_6;
    if (strchr(name, '/') || !find_image(name, path, sizeof path))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    int i = new_object(PROCESS);
    if (i < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct object *o = &objects[i];
    int ctl[2], stat[2];
    if (pipe(ctl) || pipe(stat))
        die("pipe");
    o->id = my_process_id + 0x1000 * next_child++;
    char ctl_s[16], stat_s[16], id_s[16];
    snprintf(ctl_s, sizeof ctl_s, "%d", ctl[0]);
    snprintf(stat_s, sizeof stat_s, "%d", stat[1]);
    snprintf(id_s, sizeof id_s, "%lu", o->id);
    fflush(stdout);
    o->pid = fork();
    if (o->pid == 0) {
        close(ctl[1]);
        close(stat[0]);
        execl("/proc/self/exe", "ntuser", "--child", ctl_s, stat_s, id_s, guest_dir, path, (char *)NULL);
        _exit(127);
    }
    close(ctl[0]);
    close(stat[1]);
    o->ctl = ctl[1];
    o->stat = stat[0];
    o->heap_next = HEAP_BASE;
    char ready;
    if (o->pid < 0 || read(o->stat, &ready, 1) != 1) {
        o->type = FREE;
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    HANDLE h = handle_of(i);
    return user_write(a[0], &h, sizeof h);
}

static void send_start(struct object *process)
{
    if (process->started || !process->start_ready)
        return;
    struct start_msg m = process->start;
    if (write(process->ctl, &m, sizeof m) != (ssize_t)sizeof m)
        die("the child is gone");
    process->started = 1;
}

NTSTATUS nt_create_thread(const ULONG *a)
{
    struct object *p = lookup((HANDLE)a[3], PROCESS);
    CONTEXT ctx;
    INITIAL_TEB it;
    if (user_read(&ctx, a[5], sizeof ctx) || user_read(&it, a[6], sizeof it))
        return STATUS_ACCESS_VIOLATION;
    if (a[3] == (ULONG)NtCurrentProcess())
        return create_own_thread(a, &ctx, &it);
    if (!p)
        return STATUS_INVALID_HANDLE;
    if (p->start_ready)
        return STATUS_NOT_IMPLEMENTED;  /* one thread per child */
    int i = new_object(THREAD);
    if (i < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    objects[i].process = (int)(p - objects);
    p->start = (struct start_msg){ ctx.Eip, ctx.Esp, ctx.Eax, ctx.Ebx, (ULONG)it.StackBase, (ULONG)it.StackLimit };
    p->start_ready = 1;
    CLIENT_ID cid = { (HANDLE)p->id, (HANDLE)(p->id + 4) };
    HANDLE h = handle_of(i);
    if (user_write(a[0], &h, sizeof h) || (a[4] && user_write(a[4], &cid, sizeof cid)))
        return STATUS_ACCESS_VIOLATION;
    if (!(a[7] & 0xFF))
        send_start(p);
    return STATUS_SUCCESS;
}

NTSTATUS nt_resume_thread(const ULONG *a)
{
    struct object *t = lookup((HANDLE)a[0], THREAD);
    if (!t)
        return STATUS_INVALID_HANDLE;
    ULONG previous;
    if (t->process < 0) {
        previous = !t->started;
        if (!t->started) {
            t->started = 1;
            sem_post(&t->go);
        }
    } else {
        struct object *p = &objects[t->process];
        previous = p->started ? 0 : 1;
        send_start(p);
    }
    return a[1] ? user_write(a[1], &previous, 4) : STATUS_SUCCESS;
}

static void reap(struct object *p)
{
    if (p->exited)
        return;
    ULONG status;
    if (read(p->stat, &status, 4) != 4)
        status = STATUS_UNSUCCESSFUL;   /* the child died without reporting */
    waitpid(p->pid, NULL, 0);
    p->exit_status = status;
    p->exited = 1;
}

NTSTATUS nt_wait(const ULONG *a)
{
    struct object *p = lookup((HANDLE)a[0], PROCESS), *t = lookup((HANDLE)a[0], THREAD);
    if (t && t->process < 0) {
        while (sem_wait(&t->done) && errno == EINTR)
            ;
        sem_post(&t->done);             /* signalled for every later wait too */
        return STATUS_WAIT_0;
    }
    if (t)
        p = &objects[t->process];
    if (!p)
        return STATUS_INVALID_HANDLE;
    if (!p->started)
        return STATUS_NOT_IMPLEMENTED;  /* it would never end */
    reap(p);
    return STATUS_WAIT_0;
}

NTSTATUS nt_close(const ULONG *a)
{
    ULONG v = a[0];
    if (v == 0x4 || v == 0x8 || v == 0xC)
        return STATUS_SUCCESS;
    struct object *o = lookup((HANDLE)v, PROCESS);
    if (!o)
        o = lookup((HANDLE)v, THREAD);
    if (!o)
        return STATUS_INVALID_HANDLE;
    if (o->type == THREAD && o->process < 0)
        o->closed = 1;                  /* the thread may still use its slot */
    else
        o->type = FREE;                 /* a process runs on without its handle */
    return STATUS_SUCCESS;
}

NTSTATUS proc_terminate(HANDLE h, ULONG status)
{
    struct object *p = lookup(h, PROCESS);
    if (!p)
        return STATUS_INVALID_HANDLE;
    if (!p->exited) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->exited = 1;
        p->exit_status = status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS proc_basic_info(HANDLE h, PROCESS_BASIC_INFORMATION *pbi)
{
    struct object *p = lookup(h, PROCESS);
    if (!p)
        return STATUS_INVALID_HANDLE;
    *pbi = (PROCESS_BASIC_INFORMATION){ p->exited ? (NTSTATUS)p->exit_status : STATUS_PENDING,
                                        (PPEB)PEB_ADDRESS, 1, 8, p->id, my_process_id };
    return STATUS_SUCCESS;
}

NTSTATUS proc_thread_info(HANDLE h, THREAD_BASIC_INFORMATION *tbi)
{
    struct object *t = lookup(h, THREAD);
    if (!t)
        return STATUS_INVALID_HANDLE;
    if (t->process < 0) {
        *tbi = (THREAD_BASIC_INFORMATION){ t->exited ? (NTSTATUS)t->exit_status : STATUS_PENDING,
                                           (PTEB)t->teb, { (HANDLE)my_process_id, (HANDLE)t->id }, 1, 8, 8 };
        return STATUS_SUCCESS;
    }
    struct object *p = &objects[t->process];
    *tbi = (THREAD_BASIC_INFORMATION){ p->exited ? (NTSTATUS)p->exit_status : STATUS_PENDING,
                                       (PTEB)TEB_ADDRESS, { (HANDLE)p->id, (HANDLE)(p->id + 4) }, 1, 8, 8 };
    return STATUS_SUCCESS;
}

NTSTATUS proc_allocate(HANDLE h, ULONG size, ULONG *base)
{
    struct object *p = lookup(h, PROCESS);
    if (!p)
        return STATUS_INVALID_HANDLE;
    if (p->heap_next + size > HEAP_BASE + HEAP_SIZE / 2)
        return STATUS_NO_MEMORY;
    *base = p->heap_next;
    p->heap_next += size;
    return STATUS_SUCCESS;
}

pid_t proc_pid(HANDLE h)
{
    struct object *p = lookup(h, PROCESS);
    return p && !p->exited ? p->pid : 0;
}

void child_wait_start(int fd, struct start_msg *m)
{
    ssize_t n;
    do
        n = read(fd, m, sizeof *m);
    while (n < 0 && errno == EINTR);
    if (n != sizeof *m)
        _exit(0);                       /* the creator went away before starting us */
}
